"""`python -m becoming ...`: the command line, also as a file for `spark-submit`, which runs
Python programs given by path (`spark-submit --master URL .../becoming/__main__.py assess ...`)."""

from becoming.cli import main

if __name__ == "__main__":
    main(prog_name="becoming")
