import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  createProjectSchema,
  deletionResultSchema,
  type DeletionResult,
  projectListSchema,
  projectSchema,
  type Project,
  type ProjectList,
} from '@equilab/contracts';
import { CurrentPrincipal, projectFilter, Resources, Scopes, type Principal } from '../auth/principal';
import { parseInput } from '../common/app-error';
import { parseId } from '../common/params';
import { ProjectsService } from './projects.service';
import { ApiDoc } from '../openapi/api-doc.decorator';

/** Creating and deleting projects is an admin's; members list and read the projects granted to them. */
@Controller('projects')
export class ProjectsController {
  constructor(private readonly projects: ProjectsService) {}

  @ApiDoc({ summary: 'Create a project (admin)', body: createProjectSchema, response: projectSchema })
  @Post()
  create(@Body() body: unknown): Promise<Project> {
    return this.projects.create(parseInput(createProjectSchema, body));
  }

  @ApiDoc({ summary: 'List projects (a member token: its granted ones)', response: projectListSchema })
  @Get()
  @Scopes('admin', 'member')
  async list(@CurrentPrincipal() principal: Principal): Promise<ProjectList> {
    return { items: await this.projects.list(projectFilter(principal)) };
  }

  @ApiDoc({ summary: 'Get a project', response: projectSchema, errors: [404] })
  @Get(':id')
  @Scopes('admin', 'member')
  @Resources({ kind: 'project', param: 'id' })
  get(@Param('id') id: string): Promise<Project> {
    return this.projects.get(parseId(id));
  }

  @ApiDoc({
    summary: 'Delete a project with its runs, sweeps, metrics, artifacts (records and the runs’ files in the artifact store), evaluations, views, grants and run tokens (admin); its active runs are stopped. Files that could not be removed are listed',
    response: deletionResultSchema,
    errors: [404],
  })
  @Delete(':id')
  @HttpCode(200)
  remove(@Param('id') id: string): Promise<DeletionResult> {
    return this.projects.delete(parseId(id));
  }
}
