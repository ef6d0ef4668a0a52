#!/usr/bin/env node
'use strict';
require('./run-ts')('services/cli/main.ts');
