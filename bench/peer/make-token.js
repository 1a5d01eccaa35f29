// Prints an HS256 token for the peer: node make-token.js SECRET_HEX
'use strict';
const jwt = require('jsonwebtoken');
const secret = Buffer.from(process.argv[2], 'hex');
console.log(jwt.sign({ sub: 'bench', jti: 'bench-1' }, secret, { algorithm: 'HS256', expiresIn: '1h' }));
