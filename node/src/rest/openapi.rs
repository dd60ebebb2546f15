//! The OpenAPI 3.0 description of the gateway, generated from the same descriptors that
//! route the requests, so the spec cannot drift from the routes: every unary method of every
//! service is a `POST /v1/rpc/...` operation, every message a schema in the proto3 JSON
//! mapping.

use prost_reflect::{DescriptorPool, FieldDescriptor, Kind, MessageDescriptor};
use serde_json::{json, Map, Value};

/// The services the gateway exposes (the gRPC health and reflection services are not).
pub(super) fn exposed(
    pool: &DescriptorPool,
) -> impl Iterator<Item = prost_reflect::ServiceDescriptor> + '_ {
    pool.services()
        .filter(|s| s.full_name().starts_with("proofwork."))
}

/// The spec.
pub fn spec(pool: &DescriptorPool) -> Value {
    let mut paths = Map::new();
    let mut used: Vec<MessageDescriptor> = Vec::new();
    for svc in exposed(pool) {
        for m in svc.methods() {
            if m.is_client_streaming() {
                continue;
            }
            let op_id = format!("{}_{}", svc.name(), m.name());
            let summary = format!("{}.{}", svc.full_name(), m.name());
            used.push(m.input());
            used.push(m.output());
            let ok = if m.is_server_streaming() {
                json!({
                    "description": "one JSON message per server-sent event (use the /v1/stream routes)",
                    "content": {"text/event-stream": {"schema": {"type": "string"}}}
                })
            } else {
                json!({
                    "description": m.output().full_name(),
                    "content": {"application/json": {"schema": schema_ref(&m.output())}}
                })
            };
            if m.is_server_streaming() {
                // Streams are served as SSE on their own GET routes below.
                continue;
            }
            paths.insert(
                format!("/v1/rpc/{}/{}", svc.full_name(), m.name()),
                json!({"post": {
                    "operationId": op_id,
                    "summary": summary,
                    "tags": [svc.name()],
                    "requestBody": {
                        "required": true,
                        "content": {"application/json": {"schema": schema_ref(&m.input())}}
                    },
                    "responses": responses(ok),
                }}),
            );
        }
    }
    let node = |name: &str| pool.get_message_by_name(&format!("proofwork.node.v1.{name}"));
    let block = pool.get_message_by_name("proofwork.block.v1.BlockRecord");
    let get_json = |id: &str, summary: &str, params: Value, out: Option<MessageDescriptor>| {
        let schema = out.as_ref().map_or(json!({"type": "object"}), schema_ref);
        json!({"get": {
            "operationId": id,
            "summary": summary,
            "tags": ["aliases"],
            "parameters": params,
            "responses": responses(json!({
                "description": "the answer",
                "content": {"application/json": {"schema": schema}}
            })),
        }})
    };
    let path_param = |name: &str, schema: Value| json!({"name": name, "in": "path", "required": true, "schema": schema});
    let hex = json!({"type": "string", "pattern": "^(0x)?([0-9a-fA-F]{2})*$"});
    let digits = json!({"type": "string", "pattern": "^[0-9]{1,20}$"});
    paths.insert(
        "/v1/status".into(),
        get_json("status", "Node.Status", json!([]), node("StatusResponse")),
    );
    paths.insert(
        "/v1/blocks/{height}".into(),
        get_json(
            "block",
            "Node.GetBlock",
            json!([path_param("height", digits.clone())]),
            block.clone(),
        ),
    );
    paths.insert(
        "/v1/blocks/hash/{hash}".into(),
        get_json(
            "block_by_hash",
            "Node.GetBlockByHash (hash in hex)",
            json!([path_param("hash", hex.clone())]),
            block,
        ),
    );
    paths.insert(
        "/v1/blocks/{height}/txs".into(),
        get_json(
            "block_txs",
            "The txs of a block, decoded: index, hash (hex), signer (hex public key), body (proofwork.tx.v1.TxBody), result (proofwork.block.v1.TxResult)",
            json!([path_param("height", digits.clone())]),
            None,
        ),
    );
    paths.insert(
        "/explorer".into(),
        json!({"get": {
            "operationId": "explorer",
            "summary": "The block explorer page",
            "tags": ["explorer"],
            "responses": {"200": {"description": "HTML", "content": {"text/html": {"schema": {"type": "string"}}}}},
        }}),
    );
    paths.insert(
        "/v1/txs/{hash}".into(),
        get_json(
            "tx",
            "Node.GetTx (hash in hex)",
            json!([path_param("hash", hex)]),
            node("GetTxResponse"),
        ),
    );
    paths.insert(
        "/v1/accounts/{address}".into(),
        get_json(
            "account",
            "Node.Account",
            json!([path_param("address", json!({"type": "string"}))]),
            node("AccountResponse"),
        ),
    );
    paths.insert(
        "/v1/accounts/{address}/balances/{denom}".into(),
        get_json(
            "balance",
            "Node.Balance",
            json!([
                path_param("address", json!({"type": "string"})),
                path_param("denom", json!({"type": "string"}))
            ]),
            node("BalanceResponse"),
        ),
    );
    let post_alias = |id: &str, summary: &str, input: &str, output: &str| {
        json!({"post": {
            "operationId": id,
            "summary": summary,
            "tags": ["aliases"],
            "requestBody": {"required": true, "content": {"application/json": {"schema":
                node(input).as_ref().map_or(json!({"type": "object"}), schema_ref)}}},
            "responses": responses(json!({
                "description": "the answer",
                "content": {"application/json": {"schema":
                    node(output).as_ref().map_or(json!({"type": "object"}), schema_ref)}}
            })),
        }})
    };
    paths.insert(
        "/v1/txs".into(),
        post_alias(
            "broadcast",
            "Node.BroadcastTx",
            "BroadcastTxRequest",
            "BroadcastTxResponse",
        ),
    );
    paths.insert(
        "/v1/txs/simulate".into(),
        post_alias(
            "simulate",
            "Node.Simulate",
            "SimulateRequest",
            "SimulateResponse",
        ),
    );
    let query = |name: &str, schema: Value| json!({"name": name, "in": "query", "required": false, "schema": schema});
    let sse = |id: &str, summary: &str, params: Value| {
        json!({"get": {
            "operationId": id,
            "summary": summary,
            "tags": ["streams"],
            "parameters": params,
            "responses": responses(json!({
                "description": "server-sent events, one JSON message each",
                "content": {"text/event-stream": {"schema": {"type": "string"}}}
            })),
        }})
    };
    paths.insert(
        "/v1/stream/blocks".into(),
        sse(
            "stream_blocks",
            "Node.StreamBlocks: every block from fromHeight on, then each new one",
            json!([query("fromHeight", digits.clone())]),
        ),
    );
    paths.insert(
        "/v1/stream/events".into(),
        sse(
            "stream_events",
            "Node.StreamEvents: events from fromHeight on, filtered",
            json!([
                query("fromHeight", digits),
                query("kind", json!({"type": "string"})),
                query("attributeKey", json!({"type": "string"})),
                query("attributeValue", json!({"type": "string"}))
            ]),
        ),
    );

    let mut schemas = Map::new();
    schemas.insert(
        "Error".into(),
        json!({
            "type": "object",
            "required": ["code", "status", "message"],
            "properties": {
                "code": {"type": "integer", "description": "gRPC status code"},
                "status": {"type": "string", "description": "its google.rpc.Code name"},
                "message": {"type": "string"}
            }
        }),
    );
    let mut todo = used;
    while let Some(m) = todo.pop() {
        let name = m.full_name().to_owned();
        if schemas.contains_key(&name) {
            continue;
        }
        schemas.insert(name, message_schema(&m, &mut todo));
    }
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "proofwork REST gateway",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Every gRPC method of the node as JSON (proto3 JSON mapping: 64-bit integers and bytes (base64) as strings, enums by name). Errors: {code, status, message} with the gRPC code. See docs/clients.md and docs/errors.md."
        },
        "paths": paths,
        "components": {"schemas": schemas},
    })
}

/// The standard answers: `ok`, and the error shape for every 4xx/5xx.
fn responses(ok: Value) -> Value {
    let err = json!({
        "description": "error",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    });
    json!({
        "200": ok,
        "400": err.clone(),
        "404": err.clone(),
        "413": err.clone(),
        "429": err.clone(),
        "501": err.clone(),
        "503": err.clone(),
        "504": err,
    })
}

fn schema_ref(m: &MessageDescriptor) -> Value {
    json!({"$ref": format!("#/components/schemas/{}", m.full_name())})
}

/// A message's schema; messages it refers to are pushed onto `todo`.
fn message_schema(m: &MessageDescriptor, todo: &mut Vec<MessageDescriptor>) -> Value {
    let mut props = Map::new();
    for f in m.fields() {
        props.insert(f.json_name().to_owned(), field_schema(&f, todo));
    }
    json!({
        "type": "object",
        "description": m.full_name(),
        "properties": props,
        "additionalProperties": false,
    })
}

fn field_schema(f: &FieldDescriptor, todo: &mut Vec<MessageDescriptor>) -> Value {
    if f.is_map() {
        let Kind::Message(entry) = f.kind() else {
            return json!({"type": "object"});
        };
        let value = entry.map_entry_value_field();
        return json!({
            "type": "object",
            "additionalProperties": kind_schema(&value.kind(), todo, true),
        });
    }
    let item = kind_schema(&f.kind(), todo, !f.is_list());
    if f.is_list() {
        json!({"type": "array", "items": item})
    } else {
        item
    }
}

/// The JSON mapping of one value of `kind`; a singular message may be `null`.
fn kind_schema(kind: &Kind, todo: &mut Vec<MessageDescriptor>, nullable_message: bool) -> Value {
    let int64 = json!({"type": "string", "pattern": "^-?[0-9]+$", "description": "64-bit integer as a decimal string"});
    match kind {
        Kind::Double | Kind::Float => json!({"type": "number"}),
        Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => {
            json!({"type": "integer", "format": "int32"})
        }
        Kind::Uint32 | Kind::Fixed32 => {
            json!({"type": "integer", "format": "int64", "minimum": 0, "maximum": 4294967295u64})
        }
        Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 | Kind::Uint64 | Kind::Fixed64 => int64,
        Kind::Bool => json!({"type": "boolean"}),
        Kind::String => json!({"type": "string"}),
        Kind::Bytes => json!({"type": "string", "format": "byte"}),
        Kind::Enum(e) => json!({
            "type": "string",
            "enum": e.values().map(|v| v.name().to_owned()).collect::<Vec<_>>(),
        }),
        Kind::Message(m) => {
            todo.push(m.clone());
            if nullable_message {
                json!({"nullable": true, "allOf": [schema_ref(m)]})
            } else {
                schema_ref(m)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every unary method of every exposed service has its route, and every schema a
    /// route names is defined.
    #[test]
    fn spec_covers_every_unary_method_and_resolves_every_ref() {
        let pool = super::super::descriptors().expect("descriptors");
        let spec = spec(&pool);
        let paths = spec["paths"].as_object().expect("paths");
        let mut unary = 0;
        for svc in exposed(&pool) {
            for m in svc.methods() {
                if m.is_client_streaming() || m.is_server_streaming() {
                    continue;
                }
                unary += 1;
                let p = format!("/v1/rpc/{}/{}", svc.full_name(), m.name());
                assert!(paths.contains_key(&p), "missing {p}");
            }
        }
        assert!(unary >= 29, "only {unary} unary methods found");
        let text = spec.to_string();
        let schemas = spec["components"]["schemas"].as_object().expect("schemas");
        for piece in text.split("#/components/schemas/").skip(1) {
            let name: String = piece.chars().take_while(|c| *c != '"').collect();
            assert!(schemas.contains_key(&name), "undefined schema {name}");
        }
        for stream in ["/v1/stream/blocks", "/v1/stream/events"] {
            assert!(paths.contains_key(stream), "{stream}");
        }
    }
}
