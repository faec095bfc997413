export { freeLoopbackPort as freePort } from '../../src/net/free-port.js';
