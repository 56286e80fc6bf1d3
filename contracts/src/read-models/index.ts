export * from './workflow-summary';
export * from './activity';
