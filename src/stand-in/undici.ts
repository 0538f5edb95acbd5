// What the bundle holds in place of undici. @actions/http-client imports undici (1.7 MB; ~90 ms of every
// run to load) at the top of its module for one class, ProxyAgent, used only by
// HttpClient.getAgentDispatcher, a fetch dispatcher that nothing in this action asks for (the bundle
// script fails if a bundled module other than http-client names it). HttpClient's own requests, which
// @actions/cache makes, go through node:http and the `tunnel` package, proxies included.
// A class, as http-client constructs it with `new`.
// eslint-disable-next-line @typescript-eslint/no-extraneous-class
export class ProxyAgent {
  constructor() {
    throw new Error(
      'setup-venv bundles no undici: HttpClient.getAgentDispatcher is not available in this action',
    )
  }
}
