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
    let mut types: Vec<(&str, &str)> = [
        ".proofwork.assets.v1",
        ".proofwork.query.v1",
        ".proofwork.tx.v1.Item",
        ".proofwork.tx.v1.UniqueItem",
        ".proofwork.tx.v1.FungibleItem",
        ".proofwork.tx.v1.RoyaltyRightItem",
        ".proofwork.tx.v1.RoyaltyShare",
        ".proofwork.tx.v1.AdminPowers",
    ]
    .into_iter()
    .map(|t| (t, "#[derive(serde::Serialize)]"))
    .collect();
    types.push((
        ".proofwork.tx.v1.Item.kind",
        "#[serde(rename_all = \"snake_case\")]",
    ));
    let hex_fields = [
        ".proofwork.assets.v1.TokenInfo.content_hash",
        ".proofwork.assets.v1.WorkInfo.content_hash",
        ".proofwork.assets.v1.WorkRequest.content_hash",
        ".proofwork.assets.v1.EscrowInfo.oracle_key",
        ".proofwork.query.v1.QueryProof.app_hash",
        ".proofwork.query.v1.ProvenRead.key",
        ".proofwork.query.v1.ProvenRead.value",
        ".proofwork.query.v1.ProvenRead.proof",
    ];
    const HEX: &str = "#[serde(serialize_with = \"crate::serde_hex\")]";
    // Zero-copy decoding of the big fields: decoded from a `Bytes` buffer, a tx's body and a
    // reveal's rows (~2 MiB per job) are slices of it, not copies.
    let bytes_fields = [
        ".proofwork.tx.v1.Tx.body_bytes",
        ".proofwork.tx.v1.RevealedRow.a_row",
        ".proofwork.tx.v1.RevealedRow.c_row",
        ".proofwork.tx.v1.OutputRow.c_row",
    ];
    let descriptor = out.join("proofwork_descriptor.bin");
    // With the `grpc` feature, tonic clients and servers too; without it (the state
    // machine's build) plain prost, so nothing of tonic is even a build dependency.
    #[cfg(feature = "grpc")]
    {
        let mut cfg = tonic_prost_build::configure().file_descriptor_set_path(descriptor);
        for (t, a) in types {
            cfg = cfg.type_attribute(t, a);
        }
        for f in hex_fields {
            cfg = cfg.field_attribute(f, HEX);
        }
        for f in bytes_fields {
            cfg = cfg.bytes(f);
        }
        cfg.compile_protos(&protos, &["proto"])?;
    }
    #[cfg(not(feature = "grpc"))]
    {
        let mut cfg = prost_build::Config::new();
        cfg.file_descriptor_set_path(descriptor);
        for (t, a) in types {
            cfg.type_attribute(t, a);
        }
        for f in hex_fields {
            cfg.field_attribute(f, HEX);
        }
        cfg.bytes(bytes_fields);
        cfg.compile_protos(&protos, &["proto"])?;
    }
    for p in protos {
        println!("cargo:rerun-if-changed={p}");
    }
    Ok(())
}
