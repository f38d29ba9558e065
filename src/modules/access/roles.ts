/**
 * Roles and what each may do. A grant is role × unit and covers that unit's whole subtree;
 * this table says which actions a role allows, the grant's unit says where.
 */
export const roles = [
  'county_admin',
  'org_dept',
  'town_admin',
  'community_worker',
  'grid_worker',
  'agency_staff',
  'enterprise_officer',
  'enterprise_user',
  'property_staff',
  'auditor',
] as const
export type Role = (typeof roles)[number]

/** Every action a route or service can ask about, with what it means. */
export const actionCatalog = {
  'accounts.read': 'See accounts and their grants',
  'accounts.manage': 'Create accounts, grant roles, reset passwords, disable accounts',
  'audit.read': 'Read the audit log',
  'units.read': 'See units of the county tree',
  'units.manage': 'Create and edit units',
  'units.restructure': 'Merge, split, move, rename and archive units',
  'party.read': 'See party organizations and members',
  'party.manage': 'Edit party organizations, members, development steps and transfers',
  'residents.read': 'See residents and households (personal information masked)',
  'residents.manage': 'Register and edit residents and households',
  'residents.unmask': 'Reveal one identity or phone number, with a stated reason',
  'imports.run': 'Import registries from Excel',
  'jobs.oversee': "See other accounts' import and export jobs in the subtree (status only, not their files)",
  'catalog.read': 'See the service catalog',
  'catalog.manage': 'Edit the service catalog, routing rules and the working calendar',
  'requests.read': 'See service requests',
  'requests.intake': 'Record requests on behalf of residents',
  'requests.handle': 'Accept, handle and resolve requests',
  'requests.dispatch': 'Dispatch, transfer and assign requests',
  'requests.supervise': 'Approve extensions, decide escalations and appeals',
  'board.read': 'See the three-rates board and rankings',
  'open311.manage': 'Manage Open311 API keys',
} as const
export type Action = keyof typeof actionCatalog
export const allActions = Object.keys(actionCatalog) as Action[]

/** Route-level markers that are not grants: no login needed, or any logged-in user. */
export type RouteAction = Action | 'public' | 'authenticated'

const read: Action[] = ['units.read', 'party.read', 'residents.read', 'catalog.read', 'requests.read', 'board.read']

export const rolePermissions: Record<Role, readonly Action[]> = {
  county_admin: allActions,
  org_dept: [...read, 'party.manage', 'units.restructure', 'units.manage', 'audit.read', 'accounts.read'],
  town_admin: [
    ...read, 'units.manage', 'units.restructure', 'party.manage', 'residents.manage', 'residents.unmask',
    'imports.run', 'jobs.oversee', 'requests.intake', 'requests.handle', 'requests.dispatch', 'requests.supervise', 'catalog.manage', 'accounts.read',
    // Open311 keys for their own sub-district's apps (a key is always scoped inside the grant's subtree).
    'open311.manage',
  ],
  // catalog.manage inside the community: its own menus (洛神湖社区's 爱老助老服务清单) and routing rules.
  community_worker: [
    ...read, 'units.manage', 'party.manage', 'residents.manage', 'residents.unmask', 'imports.run', 'catalog.manage',
    'requests.intake', 'requests.handle', 'requests.dispatch',
  ],
  grid_worker: ['units.read', 'party.read', 'residents.read', 'residents.manage', 'catalog.read', 'requests.read', 'requests.intake', 'requests.handle'],
  agency_staff: ['units.read', 'catalog.read', 'requests.read', 'requests.handle', 'board.read'],
  enterprise_officer: ['units.read', 'party.read', 'catalog.read', 'requests.read', 'requests.intake', 'requests.handle', 'board.read'],
  enterprise_user: ['units.read', 'catalog.read', 'requests.read', 'requests.intake'],
  property_staff: ['units.read', 'catalog.read', 'requests.read', 'requests.handle'],
  auditor: [...read, 'audit.read', 'accounts.read'],
}

export const roleAllows = (role: string, action: Action): boolean =>
  (rolePermissions as Record<string, readonly Action[] | undefined>)[role]?.includes(action) ?? false

export const isRole = (value: string): value is Role => (roles as readonly string[]).includes(value)
