/** render: signed, expiring tokens for `renderAt: open` activations. */
export { renderSigner, signRenderToken, verifyRenderToken } from './token';
export type { RenderClaims, SignOptions, VerifyFailure, VerifyResult } from './token';
export { resolveRender } from './resolve';
export type { RenderedContent } from './resolve';
