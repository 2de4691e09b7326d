import COpenSSL
import Foundation
import KerberosKeys
import SecretMemory

/// The floors, measured in the same run: what the DC and the crypto cost at the least.
extension CompareRun {
    func floors(controllerResolves: Bool) async throws {
        let cache = work + "/floor.ccache"
        let reader = toolEnvironment.merging(["KRB5CCNAME": "FILE:" + cache]) { $1 }
        let kinit = try await measure { _ in
            try? FileManager.default.removeItem(atPath: cache)
            return try await self.timed { try self.tool(["kinit", self.readerPrincipal], environment: reader, input: self.passwordLine) }
        }
        table.add("floors", "bare `kinit` with a password (the portable user, fresh ccache)", kinit)

        let keytab = FileManager.default.fileExists(atPath: chainKeytab) ? chainKeytab : work + "/ccgctl.keytab"
        let gmsaCache = work + "/floor-gmsa.ccache"
        let kinitKeytab = try await measure { _ in
            try? FileManager.default.removeItem(atPath: gmsaCache)
            return try await self.timed {
                try self.tool(
                    ["kinit", "-k", "-t", keytab, self.principal], environment: self.toolEnvironment.merging(["KRB5CCNAME": "FILE:" + gmsaCache]) { $1 })
            }
        }
        table.add("floors", "bare `kinit -k` (the gMSA, its keytab)", kinitKeytab)

        var searchFloor: ResultTable.Value?
        if controllerResolves {
            // Each search starts from a ccache holding only the TGT, as the chain's does: it needs a
            // service ticket, the sealed bind and the search.
            let tgtOnly = work + "/floor-tgt.ccache"
            try? FileManager.default.removeItem(atPath: cache)
            try tool(["kinit", readerPrincipal], environment: reader, input: passwordLine)
            try FileManager.default.copyItem(atPath: cache, toPath: tgtOnly)
            let search = try await measure { _ in
                try? FileManager.default.removeItem(atPath: cache)
                try FileManager.default.copyItem(atPath: tgtOnly, toPath: cache)
                return try await self.timed { try self.tool(self.ldapsearchArguments(filterAccount: "\(self.account)$"), environment: reader) }
            }
            table.add("floors", "bare `ldapsearch -Y GSSAPI` (service ticket, sealed bind, the blob search)", search)
            searchFloor = search
        } else {
            table.add("floors", "bare `ldapsearch -Y GSSAPI`", .skipped, note: "the DC's name does not resolve (see the notes)")
        }

        // The target for a fully cold lease: ≤ 1.5× these three floors together.
        if case let .timed(first, _) = kinit, case let .timed(second, _) = kinitKeytab, case let .timed(third, _) = searchFloor ?? .skipped {
            let sum = first.median + third.median + second.median
            var note = "the sum of the three medians above"
            if case let .timed(cold, _) = coldLease { note += String(format: "; the fully cold lease is %.2f× this", cold.median / sum) }
            table.add("floors", "`kinit` + `ldapsearch` + `kinit -k`", .figure(String(format: "%.1f ms", sum)), note: note)
        }

        try await derivationFloors()

        if case let .timed(_, dcCPU?) = coldLease {
            table.add(
                "floors", "DC CPU per fetch (all the DC does for the fully cold lease)",
                .figure(String(format: "%.1f ms", Samples.milliseconds(dcCPU))),
                note: "utime+stime of the DC's processes (/proc/PID/stat) during the timed part, per lease; 10 ms clock ticks, averaged")
        } else {
            table.add("floors", "DC CPU per fetch", .skipped, note: "the DC's pid is not in \(domain.directory)/samba.pid")
        }
    }

    /// PBKDF2 through OpenSSL in this process, and ccgd's own key derivation, for the gMSA's
    /// current password (from the chain's LDIF).
    func derivationFloors() async throws {
        guard let attributes = try? LDIFAttributes(contentsOf: chainLDIF), let encoded = attributes.values["msDS-ManagedPassword"],
            let decoded = Data(base64Encoded: encoded)
        else {
            table.add("floors", "PBKDF2-HMAC-SHA1 (4096) for the two AES keys", .skipped, note: "needs the command chain's LDIF (the gMSA's password)")
            return
        }
        let blob = try ManagedPasswordBlob(decoding: SecretBytes(count: decoded.count) { decoded.copyBytes(to: $0) })
        let password = blob.currentPassword.kerberosUTF8()
        let salt = Salt.computerAccount(realm: domain.realm, accountName: account, dnsDomain: domain.dnsDomain)
        let saltBytes = Array(salt.value.utf8)
        func pbkdf2(_ length: Int) -> Duration {
            var output = [UInt8](repeating: 0, count: length)
            let started = ContinuousClock.now
            password.withUnsafeBytes { bytes in
                _ = PKCS5_PBKDF2_HMAC(
                    bytes.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(bytes.count), saltBytes, Int32(saltBytes.count),
                    4096, EVP_sha1(), Int32(length), &output)
            }
            let elapsed = ContinuousClock.now - started
            for index in output.indices { output[index] = 0 }
            return elapsed
        }
        _ = pbkdf2(32) // OpenSSL's first use loads its provider: not part of any sample
        let both = try await measure { _ in pbkdf2(32) + pbkdf2(16) }
        table.add(
            "floors", "PBKDF2-HMAC-SHA1, 4096 iterations, for the two AES keys (32 B + 16 B)", both,
            note: "OpenSSL's PKCS5_PBKDF2_HMAC in-process (COpenSSL), the gMSA's password and salt")
        let single = try await measure { _ in pbkdf2(32) }
        table.add("floors", "PBKDF2 once, 32 B (AES128's output is its first 16 bytes: 2 blocks, not 3)", single, note: "the same, one call")
        _ = try KeyDerivation.keys(for: blob.currentPassword, salt: salt, encryptionTypes: [.aes256CtsHmacSha196])
        let ours = try await measure { _ in
            let started = ContinuousClock.now
            _ = try KeyDerivation.keys(for: blob.currentPassword, salt: salt, encryptionTypes: [.aes256CtsHmacSha196, .aes128CtsHmacSha196])
            return ContinuousClock.now - started
        }
        var note = "KerberosKeys' `KeyDerivation.keys` (libkrb5 string-to-key, as the daemon derives)"
        if case let .timed(oursSamples, _) = ours, case let .timed(twoKeys, _) = both, case let .timed(oneCall, _) = single {
            note += String(
                format: "; %.2f× the two-key PBKDF2 floor, %.2f× the one-call one", oursSamples.median / twoKeys.median,
                oursSamples.median / oneCall.median)
        }
        table.add("floors", "ccgd's key derivation, AES256 + AES128", ours, note: note)
    }
}
