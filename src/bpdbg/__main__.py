from bpdbg.startup import main

main()
