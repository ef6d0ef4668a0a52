export { rabinFingerprint64, schemaFingerprint } from './rabin';
