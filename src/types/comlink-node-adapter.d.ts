// comlink ships its Node adapter without a .d.mts beside the .mjs; this points TypeScript at its types.
declare module 'comlink/dist/esm/node-adapter.mjs' {
  import nodeEndpoint from 'comlink/dist/esm/node-adapter'
  export default nodeEndpoint
}
