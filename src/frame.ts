/**
 * The tags of encoded values (codec.ts has the whole layout), and a number's
 * frame, which the codec writes and so does a queue's lane, straight into its
 * ring slot (backend/queue-lane.ts putNumber). A leaf module: the backend side
 * needs the frame without the codec's imports.
 */
export const enum Tag {
  Undefined = 0,
  Null = 1,
  False = 2,
  True = 3,
  Number = 4,
  String = 5,
  BigInt = 6,
  Serialized = 7,
  SerializedWithHandles = 8,
  /**
   * Carries SharedArrayBuffers (buffers.ts): the header's last handle is the
   * item's token, and the body serializes `[buffer ids, value]`.
   */
  SerializedWithBuffers = 9,
  /** Plain data (plain-codec.ts), without the general serializer. */
  Plain = 10,
}

/** A number's frame: a header with no handles (4 bytes), the tag, the f64. */
export const NUMBER_FRAME_BYTES = 13;

/** Writes a number's frame at byte `at` of `view`'s memory. */
export function writeNumberFrame(view: DataView, at: number, value: number): void {
  view.setUint32(at, 0, true);
  view.setUint8(at + 4, Tag.Number);
  view.setFloat64(at + 5, value, true);
}
