import Hummingbird

/// The HTML pages (the pages helper fills this in).
struct PageRoutes {
    let dependencies: ServerDependencies

    init(_ dependencies: ServerDependencies) {
        self.dependencies = dependencies
    }

    func register(on router: Router<KeywardRequestContext>) {}
}
