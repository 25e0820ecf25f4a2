from memberdir.cli import app

app(prog_name="memberdir")
