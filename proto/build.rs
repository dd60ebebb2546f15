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
        "proto/proofwork/node/v1/node.proto",
        "proto/proofwork/assets/v1/assets.proto",
        "proto/proofwork/work/v1/work.proto",
        "proto/proofwork/validators/v1/validators.proto",
        "proto/proofwork/blobs/v1/blobs.proto",
    ];
    tonic_prost_build::configure()
        .file_descriptor_set_path(out.join("proofwork_descriptor.bin"))
        .compile_protos(&protos, &["proto"])?;
    for p in protos {
        println!("cargo:rerun-if-changed={p}");
    }
    Ok(())
}
