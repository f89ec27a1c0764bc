import Hummingbird

/// The JSON API under `/api/v1` (the API helper fills this in).
struct APIRoutes {
    let dependencies: ServerDependencies

    init(_ dependencies: ServerDependencies) {
        self.dependencies = dependencies
    }

    func register(on router: Router<KeywardRequestContext>) {}
}
