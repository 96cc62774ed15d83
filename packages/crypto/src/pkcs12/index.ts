export { parsePkcs12, type Pkcs12Contents, type Pkcs12Options } from './parse';
