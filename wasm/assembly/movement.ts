// Data movement: byte copies (reshape / flatten / squeeze / concat pieces) and a generic transpose.

export function copy_bytes(dst: usize, src: usize, n: i32): void {
  memory.copy(dst, src, <usize>n);
}

/** strided copy of `outer` chunks of n bytes: dst + i·dstStride ← src + i·srcStride (concat / split) */
export function copy_chunks(dst: usize, src: usize, n: i32, outer: i32, dstStride: i32, srcStride: i32): void {
  for (let i = 0; i < outer; i++) memory.copy(dst + <usize>(i * dstStride), src + <usize>(i * srcStride), <usize>n);
}

/** out[idx] = x[Σ idx_i · ps_i] for output dims od; desc: i32 [rank, od[rank], ps[rank]]; es 1/4 bytes */
export function transpose(x: usize, y: usize, desc: usize, es: i32): void {
  const r = load<i32>(desc);
  const od = desc + 4, ps = od + (<usize>r << 2);
  const last = r - 1;
  const len = load<i32>(od + (<usize>last << 2)), ls = load<i32>(ps + (<usize>last << 2));
  let outer = 1;
  for (let i = 0; i < last; i++) outer *= load<i32>(od + (<usize>i << 2));
  let o = y;
  for (let row = 0; row < outer; row++) {
    let src = 0, rem = row;
    for (let i = last - 1; i >= 0; i--) {
      const d = load<i32>(od + (<usize>i << 2));
      src += (rem % d) * load<i32>(ps + (<usize>i << 2)); rem /= d;
    }
    if (es == 4) {
      for (let j = 0; j < len; j++) store<u32>(o + (<usize>j << 2), load<u32>(x + (<usize>(src + j * ls) << 2)));
      o += <usize>len << 2;
    } else {
      for (let j = 0; j < len; j++) store<u8>(o + <usize>j, load<u8>(x + <usize>(src + j * ls)));
      o += <usize>len;
    }
  }
}
