//! Generates prost messages and tonic services from `proto/`, plus the encoded
//! file descriptor set that gRPC reflection serves.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::var_os("PROTOC").is_none() {
        // SAFETY: build scripts are single-threaded; nothing else reads the env concurrently.
        unsafe { std::env::set_var("PROTOC", protoc_bin_vendored::protoc_bin_path()?) };
    }
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR")?);
    let protos = [
        "proto/proofwork/tx/v1/tx.proto",
        "proto/proofwork/block/v1/block.proto",
        "proto/proofwork/query/v1/query.proto",
        "proto/proofwork/node/v1/node.proto",
        "proto/proofwork/assets/v1/assets.proto",
        "proto/proofwork/work/v1/work.proto",
        "proto/proofwork/validators/v1/validators.proto",
        "proto/proofwork/blobs/v1/blobs.proto",
    ];
    // JSON output of query answers (the CLI prints them): serde on the asset query types
    // and the tx types they embed; bytes as hex, oneof variants in snake_case.
    // Services only with the `grpc` feature: the messages alone need prost, not tonic.
    let grpc = std::env::var_os("CARGO_FEATURE_GRPC").is_some();
    let mut cfg = tonic_prost_build::configure()
        .build_client(grpc)
        .build_server(grpc)
        .file_descriptor_set_path(out.join("proofwork_descriptor.bin"));
    for t in [
        ".proofwork.assets.v1",
        ".proofwork.query.v1",
        ".proofwork.tx.v1.Item",
        ".proofwork.tx.v1.UniqueItem",
        ".proofwork.tx.v1.FungibleItem",
        ".proofwork.tx.v1.RoyaltyRightItem",
        ".proofwork.tx.v1.RoyaltyShare",
        ".proofwork.tx.v1.AdminPowers",
    ] {
        cfg = cfg.type_attribute(t, "#[derive(serde::Serialize)]");
    }
    cfg = cfg.type_attribute(
        ".proofwork.tx.v1.Item.kind",
        "#[serde(rename_all = \"snake_case\")]",
    );
    for f in [
        ".proofwork.assets.v1.TokenInfo.content_hash",
        ".proofwork.assets.v1.WorkInfo.content_hash",
        ".proofwork.assets.v1.WorkRequest.content_hash",
        ".proofwork.assets.v1.EscrowInfo.oracle_key",
        ".proofwork.query.v1.QueryProof.app_hash",
        ".proofwork.query.v1.ProvenRead.key",
        ".proofwork.query.v1.ProvenRead.value",
        ".proofwork.query.v1.ProvenRead.proof",
    ] {
        cfg = cfg.field_attribute(f, "#[serde(serialize_with = \"crate::serde_hex\")]");
    }
    // Zero-copy decoding of the big fields: decoded from a `Bytes` buffer, a tx's body and a
    // reveal's rows (~2 MiB per job) are slices of it, not copies.
    for f in [
        ".proofwork.tx.v1.Tx.body_bytes",
        ".proofwork.tx.v1.RevealedRow.a_row",
        ".proofwork.tx.v1.RevealedRow.c_row",
    ] {
        cfg = cfg.bytes(f);
    }
    cfg.compile_protos(&protos, &["proto"])?;
    for p in protos {
        println!("cargo:rerun-if-changed={p}");
    }
    Ok(())
}
