// The typegrad playground: three independent panels on one page.
import "./style.css";
import { byId } from "./dom.js";
import { digitsPanel } from "./digitsPanel.js";
import { gradientsPanel } from "./gradientsPanel.js";
import { regressionPanel } from "./regression.js";

byId("threads").textContent = globalThis.crossOriginIsolated
  ? "This page is cross-origin isolated, so shared memory for threads is available."
  : "This page is not cross-origin isolated: everything runs on one thread per worker.";
gradientsPanel();
digitsPanel();
regressionPanel();
