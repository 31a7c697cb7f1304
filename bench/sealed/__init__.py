"""sealed_burst.py's own parts (bench/README.md, "sealed_burst.py"): the quotes and when each is
sent (`plan`), the client processes sending them (`burst`), watching the close (`close`), what
must hold afterwards (`verify`), the printed report and --json (`report`)."""
