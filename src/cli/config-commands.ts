/** The hosted-cluster configuration commands (issue 5): metrics, dashboards, nodepool, upgrade, featuregate, oauth. */
import { DashboardsDisableCommand } from './dashboards/disable.ts';
import { DashboardsEnableCommand } from './dashboards/enable.ts';
import { DashboardsStatusCommand } from './dashboards/status.ts';
import { DashboardsTemplateGetCommand } from './dashboards/template-get.ts';
import { DashboardsTemplateRenderCommand } from './dashboards/template-render.ts';
import { DashboardsTemplateSetCommand } from './dashboards/template-set.ts';
import { NodePoolListCommand } from './nodepool/list.ts';
import { NodePoolScaleCommand } from './nodepool/scale.ts';
import { NodePoolSetCommand } from './nodepool/set.ts';
import { NodePoolUpdateCommand } from './nodepool/update.ts';
import { UpgradeCommand } from './upgrade/upgrade.ts';
import { FeatureGateSetCommand } from './featuregate/set.ts';
import { FeatureGateShowCommand } from './featuregate/show.ts';
import { OAuthAddCommand } from './oauth/add.ts';
import { OAuthAddBasicAuthCommand } from './oauth/add/basic-auth.ts';
import { OAuthAddGitHubCommand } from './oauth/add/github.ts';
import { OAuthAddGitLabCommand } from './oauth/add/gitlab.ts';
import { OAuthAddGoogleCommand } from './oauth/add/google.ts';
import { OAuthAddHtpasswdCommand } from './oauth/add/htpasswd.ts';
import { OAuthAddKeystoneCommand } from './oauth/add/keystone.ts';
import { OAuthAddLdapCommand } from './oauth/add/ldap.ts';
import { OAuthAddOpenIdCommand } from './oauth/add/openid.ts';
import { OAuthAddRequestHeaderCommand } from './oauth/add/request-header.ts';
import { OAuthListCommand } from './oauth/list.ts';
import { OAuthRemoveCommand } from './oauth/remove.ts';
import { MetricsSetCommand } from './metrics/set.ts';
import { MetricsShowCommand } from './metrics/show.ts';
import { SreConfigApplyCommand } from './metrics/sre-config-apply.ts';
import { SreConfigDefaultCommand } from './metrics/sre-config-default.ts';
import { SreConfigShowCommand } from './metrics/sre-config-show.ts';
import { SreConfigValidateCommand } from './metrics/sre-config-validate.ts';

export const configCommands = [
  MetricsSetCommand,
  MetricsShowCommand,
  SreConfigApplyCommand,
  SreConfigShowCommand,
  SreConfigValidateCommand,
  SreConfigDefaultCommand,
  DashboardsEnableCommand,
  DashboardsDisableCommand,
  DashboardsStatusCommand,
  DashboardsTemplateGetCommand,
  DashboardsTemplateSetCommand,
  DashboardsTemplateRenderCommand,
  NodePoolListCommand,
  NodePoolScaleCommand,
  NodePoolSetCommand,
  NodePoolUpdateCommand,
  UpgradeCommand,
  FeatureGateShowCommand,
  FeatureGateSetCommand,
  OAuthListCommand,
  OAuthAddOpenIdCommand,
  OAuthAddHtpasswdCommand,
  OAuthAddLdapCommand,
  OAuthAddKeystoneCommand,
  OAuthAddBasicAuthCommand,
  OAuthAddRequestHeaderCommand,
  OAuthAddGitHubCommand,
  OAuthAddGitLabCommand,
  OAuthAddGoogleCommand,
  OAuthAddCommand,
  OAuthRemoveCommand,
];
