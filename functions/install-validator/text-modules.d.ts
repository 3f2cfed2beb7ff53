/** Text files imported as strings (esbuild's text loader; a Jest transform in tests). */
declare module '*.yaml' {
  const text: string;
  export default text;
}
