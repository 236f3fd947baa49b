// danfojs-node requires "@tensorflow/tfjs-node"; hand it the project's single copy of @tensorflow/tfjs.
module.exports = require("@tensorflow/tfjs");
