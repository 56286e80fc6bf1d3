export * from './messages';
export * from './stream-names';
export * from './workflow';
export * from './read-models';
export * from './accounts';
export * from './actions';
export * from './execution';
export * from './ids';
