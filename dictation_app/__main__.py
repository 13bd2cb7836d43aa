from dictation_app.cli import main

raise SystemExit(main())
