import { loadMnist } from "@typegrad/datasets";
import { function as F, taskEither as TE } from "fp-ts";

// The same loader as a TaskEither: nothing runs until it is called, and errors are typed values.
const describe = F.pipe(
  loadMnist({ flatten: true }),
  TE.map(({ train, source }) => `${train.images.shape.join("×")} images from ${source.kind}`),
  TE.mapLeft((error) => `could not load MNIST (${error._tag}): ${error.message}`),
);
const result = await describe();
console.log(result._tag === "Right" ? result.right : result.left);
