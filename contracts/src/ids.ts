const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A UUID in its canonical text form (any version, any letter case): what every id column holds. */
export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID_PATTERN.test(value);

/** The seed's integer workspace ids: `N` names the caller's N-th workspace (see AccessService.resolveWorkspace). */
export const isWorkspaceOrdinal = (value: unknown): boolean => /^[1-9]\d{0,5}$/.test(String(value));
