import { describe, expect, it } from "vitest";
import { config, data, lineOf, train } from "./regression.js";

describe("regression example", () => {
  it("fits y = 2.3x + 4.7", () => {
    const { mse, prediction } = train();
    const { x } = data();
    const line = lineOf(x.data, prediction.data);
    expect(mse).toBeLessThan(0.05);
    expect(Math.abs(line.slope - config.slope)).toBeLessThan(0.1);
    expect(Math.abs(line.intercept - config.intercept)).toBeLessThan(0.15);
  });
});
