// The smallest program: make tensors and look at them.
import { arange, tensor } from "@typegrad/core";

const x = tensor([
  [1, 2, 3],
  [4, 5, 6],
]);
console.log(String(x));
console.log(String(arange(5, undefined, 1, "i32")));
