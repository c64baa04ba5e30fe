from equitylab.cli import main

raise SystemExit(main())
