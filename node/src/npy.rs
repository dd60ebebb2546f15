//! NumPy `.npy` files (format versions 1.0–3.0) of 2-D C-order matrices: `int8` (`|i1`, the
//! job inputs `A` and weights `B`) and `int32` (`<i4`, the outputs `C`), what ML users have
//! (`np.save`). Only what the job market needs: no Fortran order, no other dtypes.
//!
//! Format (numpy.lib.format): the magic `\x93NUMPY`, a major and minor version byte, the
//! header length (u16 LE for 1.0, u32 LE for 2.0/3.0), then a Python dict literal
//! `{'descr': '<i4', 'fortran_order': False, 'shape': (m, n), }` padded with spaces to a
//! multiple of 64 bytes and ended by `\n`, then the data.

use anyhow::{bail, ensure, Context as _};

const MAGIC: &[u8; 6] = b"\x93NUMPY";

/// A 2-D matrix read from a `.npy` file: its shape and raw little-endian data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Npy {
    /// Rows.
    pub rows: usize,
    /// Columns.
    pub cols: usize,
    /// `descr`: `|i1` or `<i4`.
    pub descr: String,
    /// The data, row-major, little-endian.
    pub data: Vec<u8>,
}

fn header_value<'a>(header: &'a str, key: &str) -> Option<&'a str> {
    let at = header.find(&format!("'{key}'"))?;
    let rest = header[at + key.len() + 2..].trim_start();
    rest.strip_prefix(':').map(str::trim_start)
}

/// Parses a `.npy` file's bytes.
///
/// # Errors
/// Not a `.npy` file, an unsupported dtype or order, a shape that is not 2-D (a 1-D array
/// is read as one row), or a data length that does not match the shape.
pub fn parse(bytes: &[u8]) -> anyhow::Result<Npy> {
    ensure!(
        bytes.len() >= 10 && &bytes[..6] == MAGIC,
        "not a NumPy .npy file (no \\x93NUMPY magic)"
    );
    let (hlen, start) = match bytes[6] {
        1 => (usize::from(u16::from_le_bytes([bytes[8], bytes[9]])), 10),
        2 | 3 => {
            ensure!(bytes.len() >= 12, "truncated .npy header");
            let l = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
            (usize::try_from(l)?, 12)
        }
        v => bail!(".npy format version {v} is not supported"),
    };
    let header = bytes
        .get(start..start + hlen)
        .context("truncated .npy header")?;
    let header = std::str::from_utf8(header).context(".npy header is not text")?;
    let descr = header_value(header, "descr")
        .and_then(|v| v.strip_prefix('\''))
        .and_then(|v| v.split('\'').next())
        .context(".npy header has no descr")?
        .to_string();
    ensure!(
        matches!(descr.as_str(), "|i1" | "<i4" | "i1"),
        "dtype {descr} is not supported: save A and B as int8 and C as int32 (little-endian)"
    );
    let fortran = header_value(header, "fortran_order").context("no fortran_order")?;
    ensure!(
        fortran.starts_with("False"),
        "Fortran-order arrays are not supported: save with np.ascontiguousarray"
    );
    let shape = header_value(header, "shape")
        .and_then(|v| v.strip_prefix('('))
        .and_then(|v| v.split(')').next())
        .context(".npy header has no shape")?;
    let dims: Vec<usize> = shape
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| d.parse::<usize>().context("bad shape"))
        .collect::<Result<_, _>>()?;
    let (rows, cols) = match dims[..] {
        [n] => (1, n),
        [m, n] => (m, n),
        _ => bail!("a {}-D array: a matrix must be 2-D", dims.len()),
    };
    let width = if descr.ends_with("i4") { 4 } else { 1 };
    let len = rows
        .checked_mul(cols)
        .and_then(|x| x.checked_mul(width))
        .context("shape overflows")?;
    let data = &bytes[start + hlen..];
    ensure!(
        data.len() == len,
        ".npy data is {} bytes, the shape ({rows}, {cols}) of {descr} needs {len}",
        data.len()
    );
    let descr = if descr == "i1" { "|i1".into() } else { descr };
    Ok(Npy {
        rows,
        cols,
        descr,
        data: data.to_vec(),
    })
}

/// Reads a 2-D int8 matrix (`A` or `B`): `(rows, cols, bytes)`.
///
/// # Errors
/// i/o, or not an int8 2-D `.npy`.
pub fn read_i8(path: &std::path::Path) -> anyhow::Result<(usize, usize, Vec<u8>)> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let npy = parse(&bytes).with_context(|| format!("{}", path.display()))?;
    ensure!(
        npy.descr == "|i1",
        "{}: dtype {} — A and B must be int8 (np.int8)",
        path.display(),
        npy.descr
    );
    Ok((npy.rows, npy.cols, npy.data))
}

/// The bytes of a `.npy` file (version 1.0) holding `data` (row-major, little-endian) with
/// dtype `descr` and shape `(rows, cols)`.
pub fn encode(descr: &str, rows: usize, cols: usize, data: &[u8]) -> Vec<u8> {
    let mut header =
        format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': ({rows}, {cols}), }}");
    // magic 6 + version 2 + length 2 + header + '\n' ≡ 0 (mod 64)
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut out = Vec::with_capacity(10 + header.len() + data.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[1, 0]);
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(data);
    out
}

/// Writes an int32 matrix (`C`) as `.npy`.
///
/// # Errors
/// i/o.
pub fn write_i32(
    path: &std::path::Path,
    rows: usize,
    cols: usize,
    le: &[u8],
) -> anyhow::Result<()> {
    std::fs::write(path, encode("<i4", rows, cols, le))
        .with_context(|| format!("writing {}", path.display()))
}

/// Writes an int8 matrix as `.npy`.
///
/// # Errors
/// i/o.
pub fn write_i8(
    path: &std::path::Path,
    rows: usize,
    cols: usize,
    data: &[u8],
) -> anyhow::Result<()> {
    std::fs::write(path, encode("|i1", rows, cols, data))
        .with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_reads_numpy_headers() {
        let data: Vec<u8> = (0..12u8).collect();
        let f = encode("|i1", 3, 4, &data);
        assert_eq!((f.len() - data.len()) % 64, 0);
        let n = parse(&f).unwrap();
        assert_eq!((n.rows, n.cols, n.descr.as_str()), (3, 4, "|i1"));
        assert_eq!(n.data, data);
        // What np.save(f, np.zeros((2, 3), np.int32)) writes.
        let mut np =
            b"\x93NUMPY\x01\x00v\x00{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }"
                .to_vec();
        while np.len() < 127 {
            np.push(b' ');
        }
        np.push(b'\n');
        np.extend_from_slice(&[0u8; 24]);
        let n = parse(&np).unwrap();
        assert_eq!((n.rows, n.cols, n.descr.as_str()), (2, 3, "<i4"));
        assert!(parse(&np[..np.len() - 1]).is_err());
        assert!(parse(b"not numpy").is_err());
        let f64s = encode("<f8", 1, 1, &[0; 8]);
        assert!(parse(&f64s)
            .unwrap_err()
            .to_string()
            .contains("not supported"));
    }
}
