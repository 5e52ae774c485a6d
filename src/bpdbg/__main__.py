from bpdbg.cli import main

main()
