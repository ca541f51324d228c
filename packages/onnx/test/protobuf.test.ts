// The wire format against encodings given in the protobuf documentation and worked by hand.
import { describe, expect, it } from "vitest";
import { int, packedInts, string, varint } from "../src/protobuf.js";

describe("protobuf wire format", () => {
  it("writes varints low group first, negatives as ten bytes of two's complement", () => {
    expect(varint(0)).toEqual([0]);
    expect(varint(1)).toEqual([1]);
    expect(varint(300)).toEqual([0xac, 0x02]);
    expect(varint(2 ** 35)).toEqual([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
    expect(varint(-1)).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(varint(-2)).toEqual([0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  });

  it("tags fields with their number and wire type", () => {
    expect([...int(1, 150)]).toEqual([0x08, 0x96, 0x01]);
    expect([...string(2, "testing")]).toEqual([0x12, 0x07, ...new TextEncoder().encode("testing")]);
    expect([...packedInts(4, [3, 270, 86942])]).toEqual([0x22, 0x06, 0x03, 0x8e, 0x02, 0x9e, 0xa7, 0x05]);
    expect([...int(20, 2)]).toEqual([0xa0, 0x01, 0x02]);
  });
});
