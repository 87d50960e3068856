// Width and height from a JPEG or PNG header without decoding (the resize target depends on them, and asking
// sharp for metadata would cost a second call per image). Stored dimensions, before any EXIF orientation —
// the same as PIL's `Image.size` (Paddle's script does not apply EXIF orientation either).

export function imageSize(buf: Uint8Array): { width: number; height: number } | undefined {
  if (buf.length >= 24 && buf[0] === 0x89 && buf[1] === 0x50 && buf[2] === 0x4e && buf[3] === 0x47) {
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const width = dv.getUint32(16), height = dv.getUint32(20);
    return width > 0 && height > 0 ? { width, height } : undefined;
  }
  if (buf.length < 4 || buf[0] !== 0xff || buf[1] !== 0xd8) return undefined;
  let p = 2;
  while (p + 3 < buf.length) {
    if (buf[p] !== 0xff) return undefined;
    let m = buf[p + 1];
    while (m === 0xff && p + 2 < buf.length) { p++; m = buf[p + 1]; } // fill bytes
    p += 2;
    if (m === 0xd8 || m === 0x01 || (m >= 0xd0 && m <= 0xd7)) continue; // no length
    if (m === 0xd9 || m === 0xda) return undefined; // end / scan before any frame header
    if (p + 1 >= buf.length) return undefined;
    const len = (buf[p] << 8) | buf[p + 1];
    const sof = m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;
    if (sof) {
      if (p + 7 > buf.length) return undefined;
      const height = (buf[p + 3] << 8) | buf[p + 4];
      const width = (buf[p + 5] << 8) | buf[p + 6];
      return width > 0 && height > 0 ? { width, height } : undefined;
    }
    if (len < 2) return undefined;
    p += len;
  }
  return undefined;
}
