#!/usr/bin/env node
'use strict';
require('./run-ts')('services/engine/main.ts');
