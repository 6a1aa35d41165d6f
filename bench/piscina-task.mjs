// piscina task for bench/peers.mjs: 0 → nothing (empty task); [from, to] → the CPU kernel.
export default function (arg) {
  if (arg === 0) return undefined;
  const [from, to] = arg;
  let h = 0;
  for (let i = from; i < to; i++) h = (h + Math.imul(i, 2654435761)) | 0;
  return h;
}
