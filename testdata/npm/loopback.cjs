// Preloaded with `node --require` by internal/testenv/kinesislocal.
//
// kinesis-local binds its HTTP and HTTPS ports on every interface and has no
// setting for the bind address. Tests must listen on loopback only, so this
// shim forces every net.Server.listen call in the process onto the host named
// by STREAM_MCP_BIND_HOST (default 127.0.0.1).
'use strict';
const net = require('net');
const host = process.env.STREAM_MCP_BIND_HOST || '127.0.0.1';
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const first = args[0];
  if (first !== null && typeof first === 'object' && !Array.isArray(first)) {
    if (first.path === undefined) {
      args[0] = Object.assign({}, first, { host });
    }
  } else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    if (typeof args[1] === 'string') {
      args[1] = host;
    } else {
      args.splice(1, 0, host);
    }
  }
  return listen.apply(this, args);
};
