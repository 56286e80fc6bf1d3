export * from './workflow-summary';
export * from './activity';
export * from './definition-diff';
