import TSDeployCLI

@main
struct TSDeployMain {
    static func main() async {
        await TSDeploy.runMain()
    }
}
