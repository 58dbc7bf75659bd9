from vaultbrowser.app import main

raise SystemExit(main())
