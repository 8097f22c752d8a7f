import TSDeployCLI

TSDeploy.main()
