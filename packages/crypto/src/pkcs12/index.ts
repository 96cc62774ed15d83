export { parsePkcs12, type Pkcs12Contents } from './parse';
