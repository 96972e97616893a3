/**
 * client-zip writes the ZIP64 end records only when an offset or a size passes 4 GiB; below that,
 * an archive of 65,535 entries or more gets only the classic end record, whose entry count is
 * clamped to 65,535 — which `unzip` and others then misreport. This transform adds the ZIP64 end
 * record and locator in that case (APPNOTE 4.3.14–4.3.15), so every reader sees the true count.
 */
const EOCD_SIG = 0x06054b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;

/** `entryCount()` is read when the stream ends: the number of entries written. */
export function fixZipEntryCount(entryCount: () => number): TransformStream<Uint8Array, Uint8Array> {
  let held: Uint8Array | null = null;
  let previous: Uint8Array | null = null;
  return new TransformStream({
    transform(chunk, controller) {
      if (held) {
        controller.enqueue(held);
        previous = held;
      }
      held = chunk;
    },
    flush(controller) {
      const eocd = held;
      if (!eocd) return;
      const view = new DataView(eocd.buffer, eocd.byteOffset, eocd.byteLength);
      const isEocd = eocd.byteLength === 22 && view.getUint32(0, true) === EOCD_SIG;
      const hasZip64 =
        previous !== null && previous.byteLength === 76 && new DataView(previous.buffer, previous.byteOffset).getUint32(0, true) === ZIP64_EOCD_SIG;
      const count = entryCount();
      if (isEocd && !hasZip64 && count >= 0xffff) {
        const cdSize = BigInt(view.getUint32(12, true));
        const cdOffset = BigInt(view.getUint32(16, true));
        const records = new DataView(new ArrayBuffer(76));
        records.setUint32(0, ZIP64_EOCD_SIG, true);
        records.setBigUint64(4, 44n, true); // size of the rest of this record
        records.setUint16(12, 45, true); // version made by
        records.setUint16(14, 45, true); // version needed
        records.setBigUint64(24, BigInt(count), true); // entries on this disk
        records.setBigUint64(32, BigInt(count), true); // entries in all
        records.setBigUint64(40, cdSize, true);
        records.setBigUint64(48, cdOffset, true);
        records.setUint32(56, ZIP64_LOCATOR_SIG, true);
        records.setBigUint64(64, cdOffset + cdSize, true); // where the ZIP64 end record starts
        records.setUint32(72, 1, true); // disks in all
        controller.enqueue(new Uint8Array(records.buffer));
        view.setUint16(8, 0xffff, true);
        view.setUint16(10, 0xffff, true);
      }
      controller.enqueue(eocd);
    },
  });
}
