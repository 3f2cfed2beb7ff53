// Lets tests import a text file (the connector template) as a string, as esbuild's text
// loader does for the bundles.
module.exports = {
  process(sourceText) {
    return { code: `module.exports = ${JSON.stringify(sourceText)};` };
  },
};
