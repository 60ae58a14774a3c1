"""CDKTF app entry (``cdktf synth`` runs it through pipenv): ``python main.py [--config FILE] [--outdir DIR]``.

Everything happens in ``stacks/app.py``; ``ecr-lifecycle synth`` runs the same code.
"""

from stacks.app import entry

if __name__ == "__main__":
    entry()
