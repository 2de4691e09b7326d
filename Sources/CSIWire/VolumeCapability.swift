import ProtobufWire

/// `VolumeCapability{oneof access_type {BlockVolume block = 1; MountVolume mount = 2};
/// AccessMode access_mode = 3}`: how the kubelet wants the volume (ccgd's volumes are mounts).
package struct VolumeCapability: ProtobufDecodable, Equatable {
    package enum AccessType: Equatable, Sendable {
        /// `BlockVolume{}`: a raw block device.
        case block
        /// `MountVolume`: a file system at the target path.
        case mount(MountVolume)
    }

    /// nil when neither member of the oneof came.
    package var accessType: AccessType?
    /// nil when `access_mode` did not come.
    package var accessMode: AccessMode?

    package init() {}

    package init(accessType: AccessType?, accessMode: AccessMode?) {
        self.accessType = accessType
        self.accessMode = accessMode
    }

    package mutating func merge(from reader: inout ProtobufReader) throws(ProtobufError) {
        while let field = try reader.next() {
            switch (field.number, field.wireType) {
            case (1, .lengthDelimited):
                // A oneof member replaces the other; block's message has no fields of its own.
                var block = try field.message()
                try block.skipAll()
                accessType = .block
            case (2, .lengthDelimited):
                var mount: MountVolume?
                if case let .mount(earlier) = accessType { mount = earlier }
                try field.merge(into: &mount)
                accessType = mount.map { .mount($0) }
            case (3, .lengthDelimited): try field.merge(into: &accessMode)
            default: break
            }
        }
    }
}

/// `MountVolume{string fs_type = 1; repeated string mount_flags = 2; string volume_mount_group = 3}`.
package struct MountVolume: ProtobufDecodable, Equatable {
    package var fsType = ""
    package var mountFlags: [String] = []
    /// The pod's fsGroup, as the kubelet passes it when the plug-in has VOLUME_MOUNT_GROUP ("": none).
    package var volumeMountGroup = ""

    package init() {}

    package init(fsType: String = "", mountFlags: [String] = [], volumeMountGroup: String = "") {
        self.fsType = fsType
        self.mountFlags = mountFlags
        self.volumeMountGroup = volumeMountGroup
    }

    package mutating func merge(from reader: inout ProtobufReader) throws(ProtobufError) {
        while let field = try reader.next() {
            switch (field.number, field.wireType) {
            case (1, .lengthDelimited): fsType = try field.string()
            case (2, .lengthDelimited): mountFlags.append(try field.string())
            case (3, .lengthDelimited): volumeMountGroup = try field.string()
            default: break
            }
        }
    }
}

/// `AccessMode{Mode mode = 1}`.
package struct AccessMode: ProtobufDecodable, Equatable {
    package var mode = Mode.unknown

    package init() {}

    package init(mode: Mode) {
        self.mode = mode
    }

    /// `AccessMode.Mode`: an open enum, as proto3's are (a value this version does not know is kept).
    package struct Mode: RawRepresentable, Equatable, Sendable, CustomStringConvertible {
        package let rawValue: Int32
        package init(rawValue: Int32) { self.rawValue = rawValue }
        package static let unknown = Self(rawValue: 0)
        package static let singleNodeWriter = Self(rawValue: 1)
        package static let singleNodeReaderOnly = Self(rawValue: 2)
        package static let multiNodeReaderOnly = Self(rawValue: 3)
        package static let multiNodeSingleWriter = Self(rawValue: 4)
        package static let multiNodeMultiWriter = Self(rawValue: 5)
        package static let singleNodeSingleWriter = Self(rawValue: 6)
        package static let singleNodeMultiWriter = Self(rawValue: 7)

        package var description: String {
            let names = [
                "UNKNOWN", "SINGLE_NODE_WRITER", "SINGLE_NODE_READER_ONLY", "MULTI_NODE_READER_ONLY", "MULTI_NODE_SINGLE_WRITER",
                "MULTI_NODE_MULTI_WRITER", "SINGLE_NODE_SINGLE_WRITER", "SINGLE_NODE_MULTI_WRITER",
            ]
            return names.indices.contains(Int(rawValue)) ? names[Int(rawValue)] : "mode \(rawValue)"
        }
    }

    package mutating func merge(from reader: inout ProtobufReader) throws(ProtobufError) {
        while let field = try reader.next() {
            if field.number == 1, field.wireType == .varint { mode = Mode(rawValue: try field.int32()) }
        }
    }
}
