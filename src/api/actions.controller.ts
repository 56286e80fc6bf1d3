import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ACTION_CATALOGUE, ACTION_GROUPS } from '@contracts';
import { Access } from '../auth/access.decorator';

/** Each action as the designer's palette and config forms need it; the same for everyone, so built once. */
const CATALOGUE_RESPONSE = Object.freeze({
  groups: ACTION_GROUPS,
  actions: ACTION_CATALOGUE.map(({ type, title, group, icon, description, configSchema, outputs, defaults, aliases, branches }) => ({
    type,
    title,
    group,
    icon,
    description,
    configSchema,
    outputs,
    defaults,
    aliases,
    branches,
  })),
});

/** The action catalogue (SPEC B3): what steps can do and how each is configured. */
@ApiTags('actions')
@ApiBearerAuth()
@Controller('api/actions')
export class ActionsController {
  @Get()
  @Access({ signedIn: true })
  @ApiOkResponse({
    description:
      'Palette groups in order, and every action type with its config JSON Schema (draft 2020-12; ' +
      '"x-expression": true marks {{ }} templates, "jsonata" whole-value expressions), its output, default ' +
      'retry policy and timeout, aliases (the seed step_type names) and the branch labels it chooses between.',
  })
  list() {
    return CATALOGUE_RESPONSE;
  }
}
