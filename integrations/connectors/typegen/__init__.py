"""Type generation for managed calls (pure: no Django): infer the shapes of request/response JSONata
mappings, compare them with the last committed shapes, and write a TypeScript package.

``shapes.infer_shape(expression)`` -> TypeDescriptor; ``changes.detect_changes(old, new)`` -> changes and the
semver bump; ``package.generate_package(...)`` -> {path: content}; ``package.tarball(...)`` -> .tgz bytes.
"""
