public import KeywardCore
public import KeywardStore

extension PasswordDesk {
    /// Initializes the person's account on `system`: one-way (generated,
    /// provisioned, the password mailed once it works) or two-way (a link
    /// mailed; nothing provisioned until it is used).
    public func initialize(username: String, system: String, mode: InitializationMode) async throws(ServiceError)
        -> Initialization
    {
        guard let notifier else {
            throw ServiceError(
                .notification,
                "initializing a password needs mail (`mail:` in keyward.yaml): the password or link would reach nobody; nothing was queued")
        }
        switch mode {
        case .oneWay:
            try await notifier.check(kind: .initializeOneWay, username: username, system: system)
            let receipt = try await passwords.initializeOneWay(username: username, systems: [system])
            try await notifier.notify(
                PasswordNotice(
                    kind: .initializeOneWay, username: username, system: system, requester: actor,
                    requestID: receipt.requestID, waitsFor: receipt.operationIDs, password: receipt.generatedPassword))
            return .queued(receipt)
        case .twoWay:
            try await notifier.check(kind: .initializeTwoWay, username: username, system: system)
            let invitation = try await passwords.initializeTwoWay(username: username, system: system)
            let link = GuardedString(linkBase + invitation.token)
            try await notifier.notify(
                PasswordNotice(
                    kind: .initializeTwoWay, username: username, system: system, requester: actor, link: link,
                    expiresAt: invitation.expiresAt))
            return .linkSent(expiresAt: invitation.expiresAt)
        }
    }

    /// The link's record when it can still be used (for the page).
    public func openLink(token: String) async throws(ServiceError) -> SetPasswordToken {
        try await passwords.openLink(token: token)
    }

    /// The person sets the password through the link.
    public func completeTwoWay(token: String, password: GuardedString) async throws(ServiceError)
        -> ProvisioningService.Receipt
    {
        try await passwords.completeTwoWay(token: token, password: password)
    }

    /// The person changes their password on `systems` (nil: every account
    /// that supports change); a confirmation per system is mailed.
    public func change(username: String, systems: [String]?, current: GuardedString, new: GuardedString)
        async throws(ServiceError) -> ProvisioningService.Receipt
    {
        let receipt = try await passwords.change(username: username, systems: systems, current: current, new: new)
        try await confirm(.change, username: username, receipt: receipt)
        return receipt
    }

    /// The helpdesk resets the password on `system`. A typed one is
    /// confirmed by mail; a generated one is shown to nobody, so it is
    /// mailed to the person (`reset-one-way`) once it is set — and without
    /// mail configured, or an address for the person, a generated reset is
    /// refused before anything is queued.
    public func reset(
        username: String, system: String, password: PlanRequest.Password = .generate, mustChange: Bool? = nil
    ) async throws(ServiceError) -> ProvisioningService.Receipt {
        guard case .generate = password else {
            let receipt = try await passwords.reset(
                username: username, system: system, password: password, mustChange: mustChange)
            try await confirm(.reset, username: username, receipt: receipt)
            return receipt
        }
        guard let notifier else {
            throw ServiceError(
                .notification,
                "a generated reset needs mail (`mail:` in keyward.yaml): its password would reach nobody; type the password instead. Nothing was queued")
        }
        try await notifier.check(kind: .resetOneWay, username: username, system: system)
        let receipt = try await passwords.reset(
            username: username, system: system, password: password, mustChange: mustChange)
        try await notifier.notify(
            PasswordNotice(
                kind: .resetOneWay, username: username, system: system, requester: actor,
                requestID: receipt.requestID, waitsFor: receipt.operationIDs, password: receipt.generatedPassword))
        return receipt
    }

    /// Unlocks the account on `system`.
    public func unlock(username: String, system: String) async throws(ServiceError) -> ProvisioningService.Receipt {
        let receipt = try await passwords.unlock(username: username, system: system)
        try await confirm(.unlock, username: username, receipt: receipt)
        return receipt
    }

    /// Queues the confirmation mails of a request (one per system), sent
    /// once its operations executed. Without mail, nothing.
    private func confirm(_ kind: NotificationKind, username: String, receipt: ProvisioningService.Receipt)
        async throws(ServiceError)
    {
        guard let notifier else { return }
        for system in receipt.systems {
            try await notifier.notify(
                PasswordNotice(
                    kind: kind, username: username, system: system, requester: actor, requestID: receipt.requestID,
                    waitsFor: receipt.operationIDs))
        }
    }
}
